"""The institution console: staff sign-in, then the pages of programs, keys, awards, cohorts."""
