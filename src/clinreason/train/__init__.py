"""Training with verifiable rewards: SFT/DPO exports of stored runs and a GRPO wrapper over TRL.

`export` reads run directories only and needs no extra packages. `grpo` imports TRL, PEFT,
transformers and torch inside its functions (the optional `[train]` extra), so importing this
package stays light.
"""
