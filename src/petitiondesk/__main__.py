from petitiondesk.cli import main

raise SystemExit(main())
