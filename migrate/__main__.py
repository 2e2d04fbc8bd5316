"""`python -m migrate` runs the same command as `supa-migrate`."""

from migrate.cli import main

if __name__ == "__main__":
    main()
