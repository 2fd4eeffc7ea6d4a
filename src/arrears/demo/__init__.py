"""A synthetic portfolio for demonstrations and load tests: people, accounts, behaviour, replay."""
