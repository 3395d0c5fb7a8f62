"""backkb: a knowledge base of exercises for lower-back spasms, mined from noisy web articles.

Stages, each a module with one public function: ``ingest`` → ``extract`` → ``resolve`` →
``conflicts`` → ``kb`` (load). ``build`` runs them in order; ``cli`` is the front door.
"""

__version__ = "0.1.0"
