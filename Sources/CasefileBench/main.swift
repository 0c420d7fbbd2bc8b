print("casefile-bench: not yet")
