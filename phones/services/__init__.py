"""Writes and the calls behind them: each module holds the services of one concern
(create, outbox, sync, refresh, cache, audit). Import a name from the module that defines it."""
