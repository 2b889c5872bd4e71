"""The transformers backend on a tiny causal LM built and saved by the test."""

import pytest

from nlpkit.llm import GenerationSettings, HFCausalLMBackend

WORDS = "the cat sat on a mat dog ran far away and then slept".split()


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    path = tmp_path_factory.mktemp("tiny-gpt2")
    vocab = {w: i for i, w in enumerate(["<unk>", "<eos>", *WORDS])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>"
    )
    fast.save_pretrained(path)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(vocab), n_positions=64, n_embd=16, n_layer=1, n_head=2,
                        eos_token_id=1, bos_token_id=1)  # fmt: skip
    GPT2LMHeadModel(config).save_pretrained(path)
    return path


def test_hf_backend_generates_from_local_path(tiny_model_dir):
    backend = HFCausalLMBackend(
        tiny_model_dir, settings=GenerationSettings(max_new_tokens=5)
    )
    results = backend.generate_batch(["the cat sat", "a dog ran"])
    assert len(results) == 2
    for r in results:
        assert r.ok and r.tokens_in == 3 and 1 <= r.tokens_out <= 5
        assert all(w in WORDS for w in r.text.split())
    # greedy decoding is deterministic
    assert [r.text for r in backend.generate_batch(["the cat sat", "a dog ran"])] == [
        r.text for r in results
    ]


def test_hf_backend_sampling_seed_and_stop(tiny_model_dir):
    settings = GenerationSettings(
        max_new_tokens=8, temperature=1.5, top_k=5, top_p=0.9, seed=7
    )
    backend = HFCausalLMBackend(tiny_model_dir, settings=settings)
    a = backend.generate_batch(["the cat"])[0].text
    b = backend.generate_batch(["the cat"])[0].text
    assert a == b  # same seed, same sample
    assert a and all(w in WORDS for w in a.split())
    first = a.split()[0]
    cut = backend.generate_batch(["the cat"], settings.update(stop=(first,)))[0]
    assert cut.text == ""


def test_hf_backend_missing_model(tmp_path):
    backend = HFCausalLMBackend(tmp_path / "nothing-here")
    with pytest.raises(OSError, match="E405"):
        backend.generate_batch(["x"])


def test_hf_backend_from_config(tiny_model_dir):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        config={
            "task": {"@misc": "nlpkit.Prompt.v1", "template": "{{ text }}"},
            "backend": {
                "@misc": "nlpkit.HFCausalLM.v1",
                "model": str(tiny_model_dir),
                "max_new_tokens": 3,
            },  # fmt: skip
        },
    )
    doc = nlp("the cat sat")
    assert doc._.llm_error is None and doc._.llm_output
