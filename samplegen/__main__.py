import sys

from samplegen import main

sys.exit(main())
