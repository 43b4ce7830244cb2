from imagegate.cli import main

raise SystemExit(main())
