"""The suite's training problems: each a model, a train/validation split on device, and a validation metric.

Every task is offline and deterministic for a seed. Its data are device arrays passed to its functions as an argument,
never closed over, which would bake them into the compiled program as constants (slow to compile, a copy per program).

Add a task by writing a builder ``fn(*, quick, **options) -> Task`` in the module of its split, one of
:data:`SPLIT_MODULES`, and adding it to that module's ``TASKS``; :data:`TASKS` and :data:`SPLITS` gather them. Selectors
are designed and tuned on the *development* tasks, and on the *development-2* tasks (added after round 44, where SGD
with momentum reaches the target first), the *development-3* ones (after round 45, where SGD alone also has the lowest
training loss from early on), the *development-4* ones (round 46, the same with SGD's early lead narrow) and the
*development-5* ones (round 49, whose training loss is below 0), which run only when asked (``--split development-N``);
the *validation* tasks are kept aside and run only when asked (``--split validation``), with the defaults frozen. Each
*held-out* split (``held-out``, ``held-out-2``, ..., ``held-out-34``) was added in one round for a later one (from
held-out-3 on, by someone who ran no selector on it), is kept aside from every design, the earlier splits' included, and
is run once (``--split held-out-N``) with the defaults frozen, to check a change made after the earlier splits had been
seen (which round built and which ran each: benchmarks/README.md). Each split's tasks, and the helpers only they use,
are in a module of their own (``development``, ``development_2`` to ``development_5``, ``validation``, ``held_out_01``
for the held-out tasks, ``held_out_02`` to ``held_out_34``); the helpers that tasks of several splits use, and
:class:`Task`, are in ``_common``.
"""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from benchmarks.suite.tasks import (
    development,
    development_2,
    development_3,
    development_4,
    development_5,
    held_out_01,
    held_out_02,
    held_out_03,
    held_out_04,
    held_out_05,
    held_out_06,
    held_out_07,
    held_out_08,
    held_out_09,
    held_out_10,
    held_out_11,
    held_out_12,
    held_out_13,
    held_out_14,
    held_out_15,
    held_out_16,
    held_out_17,
    held_out_18,
    held_out_19,
    held_out_20,
    held_out_21,
    held_out_22,
    held_out_23,
    held_out_24,
    held_out_25,
    held_out_26,
    held_out_27,
    held_out_28,
    held_out_29,
    held_out_30,
    held_out_31,
    held_out_32,
    held_out_33,
    held_out_34,
    validation,
)
from benchmarks.suite.tasks._common import Task
from benchmarks.suite.tasks.development import DEFAULT_TEXT, digits_mlp, mnist1d_cnn, noisy_quadratic, shakespeare_char
from benchmarks.suite.tasks.development_2 import (
    fir_system_identification,
    nuisance_feature_regression,
    soft_label_logistic,
)
from benchmarks.suite.tasks.development_3 import huber_robust_regression, procrustes_alignment, range_localization
from benchmarks.suite.tasks.development_4 import bpr_factorization, linear_filter_bank, rotated_gaussian_softmax
from benchmarks.suite.tasks.development_5 import exponential_series_density, factor_analysis, garch_volatility
from benchmarks.suite.tasks.held_out_01 import digits_autoencoder, first_token_rnn, spirals_mlp
from benchmarks.suite.tasks.held_out_02 import matrix_completion, rotated_softmax, siren_waves
from benchmarks.suite.tasks.held_out_03 import count_squares_cnn, distinct_set_attention, heteroscedastic_nll
from benchmarks.suite.tasks.held_out_04 import bfs_distance_gnn, deep_layernorm_mlp, dyck_lstm
from benchmarks.suite.tasks.held_out_05 import denoise_conv1d, pairwise_ranking_mlp, poisson_glm
from benchmarks.suite.tasks.held_out_06 import contrastive_embedding, multilabel_mlp, oscillator_fit
from benchmarks.suite.tasks.held_out_07 import moons_flow, quantile_mlp, sparse_l1_logistic
from benchmarks.suite.tasks.held_out_08 import bars_vae, cox_survival_mlp, heat_pinn
from benchmarks.suite.tasks.held_out_09 import line_orientation_cnn, teacher_distill_mlp, topic_embedding_bag
from benchmarks.suite.tasks.held_out_10 import ordinal_logit_mlp, rff_hinge_svm, ring_score_matching
from benchmarks.suite.tasks.held_out_11 import kernel_smoother_ard, logistic_cp_tensor, mixture_density_mlp
from benchmarks.suite.tasks.held_out_12 import fixed_point_classifier, gated_linear_experts, skipgram_negative_sampling
from benchmarks.suite.tasks.held_out_13 import kmeans_codebook, lora_adapter_fit, lru_forecast
from benchmarks.suite.tasks.held_out_14 import monotone_mlp, rbm_exact_likelihood, sinkhorn_matching
from benchmarks.suite.tasks.held_out_15 import binaryconnect_mlp, gae_link_prediction, square_segmentation_fcn
from benchmarks.suite.tasks.held_out_16 import ctc_transcription, gp_periodic_kernel, policy_gradient_bandit
from benchmarks.suite.tasks.held_out_17 import fno_burgers, maml_sinusoid, td_value_grid
from benchmarks.suite.tasks.held_out_18 import lista_sparse_coding, sbm_graph_attention, spiking_latency_snn
from benchmarks.suite.tasks.held_out_19 import pendulum_control_bptt, pointnet_polygons, ray_tomography_field
from benchmarks.suite.tasks.held_out_20 import hypernetwork_curves, pixelcnn_rectangles, two_head_multitask
from benchmarks.suite.tasks.held_out_21 import adversarial_spheres_pgd, bayes_by_backprop_mlp, gan_mixture_1d
from benchmarks.suite.tasks.held_out_22 import capsule_tetrominoes, hmm_forward_likelihood, vqe_ising_circuit
from benchmarks.suite.tasks.held_out_23 import neural_ode_lotka, neuralsort_ranking, switch_moe_languages
from benchmarks.suite.tasks.held_out_24 import crf_tagging, kan_rbf_regression, soft_tree_classifier
from benchmarks.suite.tasks.held_out_25 import force_field_clusters, ica_unmixing, poincare_tree_embedding
from benchmarks.suite.tasks.held_out_26 import (
    chamfer_set_autoencoder,
    factorization_machine_ratings,
    hopfield_retrieval,
)
from benchmarks.suite.tasks.held_out_27 import gru_seq2seq_reverse, kalman_lds_likelihood, wave_inversion_1d
from benchmarks.suite.tasks.held_out_28 import arm_inverse_kinematics, complex_kg_completion, gmm_full_covariance
from benchmarks.suite.tasks.held_out_29 import hawkes_process_likelihood, legendre_series_fit, tucker_completion
from benchmarks.suite.tasks.held_out_30 import irt_2pl_responses, phase_retrieval, von_mises_regression
from benchmarks.suite.tasks.held_out_31 import dawid_skene_annotators, dirichlet_regression, weibull_aft_censored
from benchmarks.suite.tasks.held_out_32 import ising_pseudolikelihood, pk_mixed_effects, plackett_luce_races
from benchmarks.suite.tasks.held_out_33 import gaussian_splat_image, latent_space_network, occupancy_detection
from benchmarks.suite.tasks.held_out_34 import bundle_adjustment, deeponet_ode_operator, poisson_factorization
from benchmarks.suite.tasks.validation import adding_gru, breast_cancer_mlp, diabetes_mlp, friedman_mlp

__all__ = [
    "DEFAULT_TEXT",
    "DEVELOPMENT_SPLITS",
    "KEPT_ASIDE",
    "SPLITS",
    "SPLIT_MODULES",
    "TASKS",
    "Task",
    "adding_gru",
    "adversarial_spheres_pgd",
    "arm_inverse_kinematics",
    "bars_vae",
    "bayes_by_backprop_mlp",
    "bfs_distance_gnn",
    "binaryconnect_mlp",
    "bpr_factorization",
    "breast_cancer_mlp",
    "bundle_adjustment",
    "capsule_tetrominoes",
    "chamfer_set_autoencoder",
    "complex_kg_completion",
    "contrastive_embedding",
    "count_squares_cnn",
    "cox_survival_mlp",
    "crf_tagging",
    "ctc_transcription",
    "dawid_skene_annotators",
    "deep_layernorm_mlp",
    "deeponet_ode_operator",
    "denoise_conv1d",
    "diabetes_mlp",
    "digits_autoencoder",
    "digits_mlp",
    "dirichlet_regression",
    "distinct_set_attention",
    "dyck_lstm",
    "exponential_series_density",
    "factor_analysis",
    "factorization_machine_ratings",
    "fir_system_identification",
    "first_token_rnn",
    "fixed_point_classifier",
    "fno_burgers",
    "force_field_clusters",
    "friedman_mlp",
    "gae_link_prediction",
    "gan_mixture_1d",
    "garch_volatility",
    "gated_linear_experts",
    "gaussian_splat_image",
    "gmm_full_covariance",
    "gp_periodic_kernel",
    "gru_seq2seq_reverse",
    "hawkes_process_likelihood",
    "heat_pinn",
    "heteroscedastic_nll",
    "hmm_forward_likelihood",
    "hopfield_retrieval",
    "huber_robust_regression",
    "hypernetwork_curves",
    "ica_unmixing",
    "irt_2pl_responses",
    "ising_pseudolikelihood",
    "kalman_lds_likelihood",
    "kan_rbf_regression",
    "kernel_smoother_ard",
    "kmeans_codebook",
    "latent_space_network",
    "legendre_series_fit",
    "line_orientation_cnn",
    "linear_filter_bank",
    "lista_sparse_coding",
    "logistic_cp_tensor",
    "lora_adapter_fit",
    "lru_forecast",
    "maml_sinusoid",
    "matrix_completion",
    "mixture_density_mlp",
    "mnist1d_cnn",
    "monotone_mlp",
    "moons_flow",
    "multilabel_mlp",
    "neural_ode_lotka",
    "neuralsort_ranking",
    "noisy_quadratic",
    "nuisance_feature_regression",
    "occupancy_detection",
    "ordinal_logit_mlp",
    "oscillator_fit",
    "pairwise_ranking_mlp",
    "pendulum_control_bptt",
    "phase_retrieval",
    "pixelcnn_rectangles",
    "pk_mixed_effects",
    "plackett_luce_races",
    "poincare_tree_embedding",
    "pointnet_polygons",
    "poisson_factorization",
    "poisson_glm",
    "policy_gradient_bandit",
    "procrustes_alignment",
    "quantile_mlp",
    "range_localization",
    "ray_tomography_field",
    "rbm_exact_likelihood",
    "rff_hinge_svm",
    "ring_score_matching",
    "rotated_gaussian_softmax",
    "rotated_softmax",
    "sbm_graph_attention",
    "shakespeare_char",
    "sinkhorn_matching",
    "siren_waves",
    "skipgram_negative_sampling",
    "soft_label_logistic",
    "soft_tree_classifier",
    "sparse_l1_logistic",
    "spiking_latency_snn",
    "spirals_mlp",
    "square_segmentation_fcn",
    "switch_moe_languages",
    "td_value_grid",
    "teacher_distill_mlp",
    "topic_embedding_bag",
    "tucker_completion",
    "two_head_multitask",
    "validation_sampler",
    "von_mises_regression",
    "vqe_ising_circuit",
    "wave_inversion_1d",
    "weibull_aft_censored",
]


def validation_sampler(task: Task) -> Callable[[Any, jax.Array], Any] | None:
    """How ``task`` draws a validation batch for its ``loss``; None where the training loss is already held out.

    ``task.sample_validation`` where the task gives one. Otherwise, where ``task.data`` holds training arrays
    (``x_train``, ``train``, ...) and each has a validation twin of the same rank (``x_val``, ``val``), ``task.sample``
    on the data with every training array replaced by its twin. Otherwise None: the task draws every training batch
    afresh (a generator, not a fixed training set), so its training loss on a batch not yet trained on is a held-out
    loss already.

    Examples:
        >>> task = digits_mlp(quick=True)
        >>> x, y = validation_sampler(task)(task.data, jax.random.key(0))
        >>> bool(jnp.isin(x[:, None], task.data["x_val"]).all(-1).any(-1).all())  # every row is a validation row
        True
        >>> print(validation_sampler(noisy_quadratic(quick=True)))
        None
    """
    if task.sample_validation is not None:
        return task.sample_validation
    if not isinstance(task.data, dict):
        return None
    twins = {}
    for name, array in task.data.items():
        if name == "train" or name.endswith("_train"):
            twin = name[: -len("train")] + "val"
            if twin not in task.data or jnp.ndim(task.data[twin]) != jnp.ndim(array):
                return None
            twins[name] = twin
    if not twins:
        return None
    return lambda data, key: task.sample({**data, **{name: data[twin] for name, twin in twins.items()}}, key)


#: The modules of the splits, in the order of the tables: each names its split (``SPLIT``) and its task builders
#: by name (``TASKS``), from which :data:`TASKS`, :data:`SPLITS` and :data:`KEPT_ASIDE` are gathered.
SPLIT_MODULES = (
    development,
    development_2,
    development_3,
    development_4,
    development_5,
    validation,
    held_out_01,
    held_out_02,
    held_out_03,
    held_out_04,
    held_out_05,
    held_out_06,
    held_out_07,
    held_out_08,
    held_out_09,
    held_out_10,
    held_out_11,
    held_out_12,
    held_out_13,
    held_out_14,
    held_out_15,
    held_out_16,
    held_out_17,
    held_out_18,
    held_out_19,
    held_out_20,
    held_out_21,
    held_out_22,
    held_out_23,
    held_out_24,
    held_out_25,
    held_out_26,
    held_out_27,
    held_out_28,
    held_out_29,
    held_out_30,
    held_out_31,
    held_out_32,
    held_out_33,
    held_out_34,
)

#: Task builders by name, in the order of the tables: split by split, in the order of :data:`SPLIT_MODULES`.
TASKS: dict[str, Callable[..., Task]] = {
    name: builder for module in SPLIT_MODULES for name, builder in module.TASKS.items()
}

#: Each task's split: ``"development"``, ``"development-2"``, ``"development-3"``, ``"development-4"`` or
#: ``"development-5"`` (selectors are designed and tuned on these; the last four run only when asked), ``"validation"``
#: (kept aside, run with the defaults frozen, only when asked), or one of ``"held-out"``, ``"held-out-2"``, ...,
#: ``"held-out-34"``: each added in one round for a later one, built by someone who ran no selector on it, kept aside
#: from every design and run once with the defaults frozen (which round built and which ran each: benchmarks/README.md).
SPLITS: dict[str, str] = {name: module.SPLIT for module in SPLIT_MODULES for name in module.TASKS}

#: The splits kept aside from every design: no selector is tuned on them, and what selectors read (rate noise,
#: the fused/unfused choices) is not measured on them.
KEPT_ASIDE = tuple(module.SPLIT for module in SPLIT_MODULES if module.SPLIT.startswith("held-out"))

#: The splits open to every design: ``"development"``, run by default, and ``"development-2"``, ``"development-3"``,
#: ``"development-4"`` and ``"development-5"``, run when asked.
DEVELOPMENT_SPLITS = tuple(module.SPLIT for module in SPLIT_MODULES if module.SPLIT.startswith("development"))
