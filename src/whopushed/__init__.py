"""whopushed: who launched a strike from one state's territory against another."""

__version__ = "0.1.0"
