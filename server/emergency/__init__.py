"""Emergency response (应急响应): a leader switches it on and off, each time with a reason."""
