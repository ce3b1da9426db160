"""Reads from the local cache. Every listing and search in the portal comes through here;
import a name from the module that defines it."""
