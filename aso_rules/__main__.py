import sys

from aso_rules.cli import main

sys.exit(main())
