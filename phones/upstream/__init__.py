"""Client for WellApp's REST API: the only part of the product that talks HTTP to WellApp.
Import a name from the module that defines it."""
