"""Test-only: swap the Bedrock models in generated agents for scripted offline ones.

The generated code carries no test hooks. When ``NXAWS_SCRIPTED_MODELS=1`` and this folder is on
``PYTHONPATH``, importing ``strands.models.bedrock`` or ``langchain_aws`` gets the scripted model in place of
``BedrockModel`` / ``ChatBedrockConverse``. The model calls one tool, chosen by the prompt
(``whoami`` → ``tools___whoami``, else ``tools___add`` with 40 and 2), then answers ``tool said: <result>``.
"""

import importlib.abc
import importlib.util
import os
import sys

PATCHES = {"strands.models.bedrock": "BedrockModel", "langchain_aws": "ChatBedrockConverse"}


def _tool_for(prompt: str) -> tuple[str, dict]:
    return ("tools___whoami", {}) if "whoami" in prompt else ("tools___add", {"a": 40, "b": 2})


def _strands_model():
    import json

    from strands.models.model import Model

    class ScriptedStrandsModel(Model):
        def __init__(self, *args, **kwargs):
            self.config = {}

        def update_config(self, **kwargs):
            self.config.update(kwargs)

        def get_config(self):
            return self.config

        async def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):
            raise NotImplementedError
            yield

        async def stream(self, messages, tool_specs=None, system_prompt=None, **kwargs):
            last = messages[-1]["content"]
            results = [c["toolResult"] for c in last if "toolResult" in c]
            yield {"messageStart": {"role": "assistant"}}
            if results:
                text = " ".join(c.get("text", "") for c in results[0]["content"])
                yield {"contentBlockStart": {"start": {}}}
                yield {"contentBlockDelta": {"delta": {"text": f"tool said: {text}"}}}
                yield {"contentBlockStop": {}}
                yield {"messageStop": {"stopReason": "end_turn"}}
            else:
                prompt = " ".join(c.get("text", "") for c in last)
                name, args = _tool_for(prompt)
                yield {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t-1", "name": name}}}}
                yield {"contentBlockDelta": {"delta": {"toolUse": {"input": json.dumps(args)}}}}
                yield {"contentBlockStop": {}}
                yield {"messageStop": {"stopReason": "tool_use"}}
            yield {
                "metadata": {
                    "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                    "metrics": {"latencyMs": 0},
                }
            }

    return ScriptedStrandsModel


def _langchain_model():
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, ToolMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class ScriptedChatModel(BaseChatModel):
        model_config = {"extra": "allow"}

        def __init__(self, *args, **kwargs):
            super().__init__()

        @property
        def _llm_type(self) -> str:
            return "scripted"

        def bind_tools(self, tools, *, tool_choice=None, **kwargs):
            return self

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            last = messages[-1]
            if isinstance(last, ToolMessage):
                content = last.content
                text = content if isinstance(content, str) else " ".join(c.get("text", "") for c in content)
                message = AIMessage(content=f"tool said: {text}")
            else:
                prompt = next(m.content for m in reversed(messages) if m.type == "human")
                name, args = _tool_for(str(prompt))
                message = AIMessage(
                    content="", tool_calls=[{"name": name, "args": args, "id": "c-1", "type": "tool_call"}]
                )
            return ChatResult(generations=[ChatGeneration(message=message)])

    return ScriptedChatModel


FACTORIES = {"strands.models.bedrock": _strands_model, "langchain_aws": _langchain_model}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            setattr(module, PATCHES[name], FACTORIES[name]())

        loader.exec_module = exec_module
        return spec


if os.environ.get("NXAWS_SCRIPTED_MODELS") == "1":
    sys.meta_path.insert(0, _PatchAfterImport())
