"""Tests of the party pages."""
