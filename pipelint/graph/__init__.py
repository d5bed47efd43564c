"""``pipelint graph``: the setup as a picture — accounts, regions, the pipeline with its stages and actions,
roles, buckets, keys, triggers and queues, and each link of the access chain coloured by its verdict.

:mod:`.model` builds the picture from the chain (:mod:`pipelint.chain`) and its verdicts
(:mod:`pipelint.verdicts`); :mod:`.mermaid`, :mod:`.dot` and :mod:`.report` (HTML, with :mod:`.layout`)
write it. Imported only by the ``graph`` command: nothing here is on ``check``'s path.
"""
