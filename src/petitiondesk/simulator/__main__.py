from petitiondesk.simulator import main

raise SystemExit(main())
