"""HTML pieces of a trace shared by the web page (`clinreason.api`) and `clinreason report`.

`figures` turns a trace into drawing data (the argument graph, the differential); `html` renders
it with the Jinja2 macros in `templates/` (autoescaping on), so both show the same drawing.
"""
