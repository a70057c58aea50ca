"""Text in, values out: the program's exact steps on an article's words, with no model.

Grounding (a value's character offsets), counts ("dozens", "39 of them"), dates
("Friday" -> a date), places, acts of violence, chunking, and reading article text
and JSON Lines with the limits every entry point applies. Nothing here imports
another layer of summarizer but its errors.
"""
