"""claimscribe: procedure dictation to a documented, coded, priced and pre-checked Medicare claim."""

__version__ = "0.1.0"
