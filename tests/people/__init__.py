"""Tests of the people pages."""
