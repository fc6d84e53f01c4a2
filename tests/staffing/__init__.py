"""Tests of sanjeh.staffing."""
