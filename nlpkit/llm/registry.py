"""Registered backends (nlpkit.OpenAICompatible.v1, ...) and the shared
nlpkit.GenerationSettings.v1 block, for configs.

Generation defaults live in GenerationSettings alone, and each backend's other
defaults in its class: a factory is the class's own signature plus the flat
settings fields (max_new_tokens, temperature, ...) of older configs, which still
work and override the `settings` block's values.
"""

import inspect
from dataclasses import fields
from typing import get_type_hints

from spacy.util import registry

from .http import OpenAICompatibleBackend
from .local import HFCausalLMBackend, LlamaCppBackend
from .types import GenerationSettings

_D = GenerationSettings()


@registry.misc("nlpkit.GenerationSettings.v1")
def create_generation_settings(
    max_new_tokens: int = _D.max_new_tokens,
    temperature: float = _D.temperature,
    top_k: int = _D.top_k,
    top_p: float = _D.top_p,
    seed: int | None = _D.seed,
    stop: list[str] | None = None,
) -> GenerationSettings:
    """How to generate, one block shared by every backend (see GenerationSettings)."""
    return GenerationSettings(
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        seed=seed,
        stop=tuple(_D.stop if stop is None else stop),
    )


def make_settings(
    settings: GenerationSettings | None = None, **flat
) -> GenerationSettings:
    """The settings block (or the defaults) with the flat fields given (not None)."""
    if flat.get("stop") is not None:
        flat["stop"] = tuple(flat["stop"])
    return (settings or GenerationSettings()).update(**flat)


FLAT_SETTINGS = tuple(f.name for f in fields(GenerationSettings))


def backend_factory(cls, name: str):
    """The config factory `name` of a backend class: the class's own parameters and
    defaults (none restated here), plus each GenerationSettings field flat (None:
    not given), as older configs give them; they override the settings block."""
    hints = get_type_hints(cls.__init__)
    flat_hints = {**get_type_hints(GenerationSettings), "stop": list[str]}
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in inspect.signature(cls).parameters.values()
    ]
    at = [p.name for p in params].index("settings") + 1
    params[at:at] = [
        inspect.Parameter(
            flat, params[at - 1].kind, default=None, annotation=flat_hints[flat] | None
        )
        for flat in FLAT_SETTINGS
    ]
    signature = inspect.Signature(params, return_annotation=cls)

    def create(*args, **kwargs):
        values = signature.bind(*args, **kwargs).arguments
        flat = {key: values.pop(key, None) for key in FLAT_SETTINGS}
        values["settings"] = make_settings(values.get("settings"), **flat)
        return cls(**values)

    create.__name__ = create.__qualname__ = name
    create.__doc__ = cls.__doc__
    create.__signature__ = signature
    create.__annotations__ = {p.name: p.annotation for p in params} | {"return": cls}
    return create


create_openai_backend = registry.misc("nlpkit.OpenAICompatible.v1")(
    backend_factory(OpenAICompatibleBackend, "create_openai_backend")
)
create_llamacpp_backend = registry.misc("nlpkit.LlamaCpp.v1")(
    backend_factory(LlamaCppBackend, "create_llamacpp_backend")
)
create_hf_backend = registry.misc("nlpkit.HFCausalLM.v1")(
    backend_factory(HFCausalLMBackend, "create_hf_backend")
)
