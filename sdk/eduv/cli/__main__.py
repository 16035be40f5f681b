"""``python -m eduv.cli``: the eduv command without its installed script."""

from eduv.cli import main

main()
