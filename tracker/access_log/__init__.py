"""The access log, for security officers: who read or was refused which marked record."""
