"""Lead scoring: the model as data, its store, and two executors that must agree.

``model`` defines and validates a model, ``store`` keeps its versions in ``scoring_models``,
``sql`` rescores leads in bulk inside the database, and ``explain`` evaluates one lead in
Python with every contribution. ``common`` holds the few rules of arithmetic and text
folding that both executors share, so that they give identical scores.
"""
