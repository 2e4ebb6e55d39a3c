from tfcheck.cli import main

raise SystemExit(main())
