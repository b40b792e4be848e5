from mekong.cli import main

raise SystemExit(main())
