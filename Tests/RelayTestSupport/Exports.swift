// The fixtures (sample reports, subprocesses, Python peers) come with the live-relay support.
@_exported import RelayFixtures
