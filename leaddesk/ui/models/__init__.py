"""Qt item models over core query results, each checked with qtmodeltester."""
