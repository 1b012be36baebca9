from labelapp.cli import main

raise SystemExit(main())
