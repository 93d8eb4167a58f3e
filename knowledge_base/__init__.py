"""Knowledge base: article loading and validation, chunking, embeddings, FAISS + BM25 hybrid search.

A library: the action server and the bridge import it; nothing happens at import time.
"""
