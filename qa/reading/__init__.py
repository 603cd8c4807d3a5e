"""Reading a report: a file → blocks (headings, paragraphs, tables) → a cleaned `Document` with its metadata
(place, year, publisher) → passages and table rows, and the figures its text states.

`corpus` lists and reads a folder, `readers` and `tables` know the formats, `cleaning` makes the `Document`,
`passages` splits it, `figures` reads numbers with their units, `inspect` says how a file was read.
"""
