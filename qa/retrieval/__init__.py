"""Finding passages: passages → a store (FAISS and BM25 in an index folder, or Milvus) → for a question, analysed
once into a `Question`, the ranked passages as `Hit`s.

`index` builds and checks index folders, `faiss_store` and `milvus_store` serve them behind `store.Store`,
`embedding` loads the model and embeds, `tokens` makes BM25 tokens, `question` reads what a question asks,
`searcher` fuses the BM25 and dense rankings.
"""
