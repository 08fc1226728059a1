"""Emergency response (应急响应): a leader switches it on with a reason and off again."""
