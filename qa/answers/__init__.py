"""Choosing the answer: a question and the passages found for it → the exact figure with its evidence, the figures
of each report where reports differ, or an honest no.

`answering` reads the candidate figures in the passages' sentences and picks the one the question asks for;
`asking` runs a question through a searcher into an `Answer`, and `KnowledgeBase` is a searcher that asks.
"""
