"""Micro-benchmarks of the switch: step and compile overhead (overhead), state bytes over devices (state_bytes)."""
