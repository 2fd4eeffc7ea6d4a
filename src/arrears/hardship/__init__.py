"""Hardship help (还款困难帮扶): assessments, priced options, plans, education, debt advice."""
