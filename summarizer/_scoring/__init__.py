"""The evaluation sets' scorers, pure functions of gold and predicted records.

`muc4` reimplements the GTT template-filling metric exactly; `gva` checks each
article's records against its one Gun Violence Archive event. The schemas use the
MUC-4 scorer's own mention form, so this layer sits below them.
"""
