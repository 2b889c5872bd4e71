"""LLM tasks: each renders prompts for docs and parses answers into annotations."""

from .base import Task, load_examples
from .generate import SummarizeTask, TextTask, create_prompt_task, create_summarize_task
from .ner import NERTask, create_ner_task
from .rag import RAGTask, Retriever, create_rag_task
from .textcat import TextCatTask, create_textcat_task

__all__ = [
    "NERTask",
    "RAGTask",
    "Retriever",
    "SummarizeTask",
    "Task",
    "TextCatTask",
    "TextTask",
    "create_ner_task",
    "create_prompt_task",
    "create_rag_task",
    "create_summarize_task",
    "create_textcat_task",
    "load_examples",
]
