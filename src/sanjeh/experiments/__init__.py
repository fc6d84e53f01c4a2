"""A/B tests of scripts and macros: assignment, results, sequential tests (docs/experiments.md)."""
