"""One article in, one `Document` out: the pipeline every entry point runs.

`pipeline` lists, fills and finalizes records with a schema; `figures` reads an
incident's casualty figures again; `regrounding` asks the model for a value's own
words when the program cannot find them; `arguments` checks what a Python caller
passes; `render` writes a document as JSON or Markdown.
"""
