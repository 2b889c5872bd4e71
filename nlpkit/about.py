__title__ = "nlpkit"
__version__ = "0.1.0"
