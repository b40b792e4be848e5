"""Locale format overrides: figures in reports group thousands with a comma in every language.

Django's Chinese, Burmese and Lao formats print 2133333.50 with no grouping; officials on both
sides read budgets as 2,133,333.50. Only the number formats are set here; dates and the rest
come from Django's own locale files.
"""
