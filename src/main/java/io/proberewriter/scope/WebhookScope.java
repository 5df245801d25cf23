package io.proberewriter.scope;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which pod creations the API server sends to the webhook, as the live MutatingWebhookConfiguration says: its
 * namespaceSelector against the namespace's labels and its objectSelector against the pod's. The audit and the port
 * exceptions act on their own and must not act on pods the webhook never sees (a Helm install's
 * {@code webhook.excludedNamespaces}, {@code namespaceSelector}, {@code objectSelector}).
 *
 * <p>Its matchConditions are CEL over the whole request, which the operator cannot evaluate: a pod the selectors let
 * through may still be kept away by them, hence {@link Reach#SENT_UNLESS_CONDITIONS_REFUSE}.
 *
 * <p>The selectors are matched as the API server matches a metav1.LabelSelector (matchLabels and every
 * matchExpressions requirement; an absent selector matches everything). fabric8 has the model classes but no
 * client-side matcher, so that rule is here, next to its one use.
 */
public final class WebhookScope {

    /** Whether the API server would send the creation of a pod to the webhook. */
    public enum Reach {
        SENT,
        NOT_SENT,
        /** The selectors match, but the webhook has matchConditions, which may keep the pod away. */
        SENT_UNLESS_CONDITIONS_REFUSE
    }

    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    /** Null when the configuration is not known: everything counts as sent, as before the scope was read. */
    private final List<MutatingWebhook> webhooks;
    private final String description;

    private WebhookScope(List<MutatingWebhook> webhooks, String description) {
        this.webhooks = webhooks;
        this.description = description;
    }

    /**
     * The scope of {@code configuration}; not known when it has no webhook or a selector operator the API server would
     * not have accepted (nothing to judge by: better today's rule than a guess).
     */
    public static WebhookScope of(MutatingWebhookConfiguration configuration) {
        String name = configuration.getMetadata().getName();
        List<MutatingWebhook> webhooks = configuration.getWebhooks() == null ? List.of()
                : List.copyOf(configuration.getWebhooks());
        if (webhooks.isEmpty()) {
            return unknown("MutatingWebhookConfiguration " + name + " has no webhook");
        }
        for (MutatingWebhook webhook : webhooks) {
            Optional<String> bad = unknownOperator(webhook.getNamespaceSelector())
                    .or(() -> unknownOperator(webhook.getObjectSelector()));
            if (bad.isPresent()) {
                return unknown("webhook " + webhook.getName() + " of MutatingWebhookConfiguration " + name
                        + " has a selector operator \"" + bad.get() + "\" (known: In, NotIn, Exists, DoesNotExist)");
            }
        }
        boolean conditions = webhooks.stream().anyMatch(WebhookScope::hasMatchConditions);
        return new WebhookScope(webhooks, "the namespaceSelector and objectSelector of MutatingWebhookConfiguration "
                + name + (conditions ? ", which has matchConditions the operator cannot evaluate" : ""));
    }

    /** Nothing is known of the configuration ({@code why}): every pod of an opted-in namespace counts as sent. */
    public static WebhookScope unknown(String why) {
        return new WebhookScope(null, Objects.requireNonNull(why, "why"));
    }

    public boolean known() {
        return webhooks != null;
    }

    /** Where the scope comes from, or why it is not known: for logs. */
    public String description() {
        return description;
    }

    /** Whether any webhook of the configuration has matchConditions. */
    public boolean hasMatchConditions() {
        return known() && webhooks.stream().anyMatch(WebhookScope::hasMatchConditions);
    }

    /**
     * @param namespaceLabels the labels of the pod's namespace as cached (the API server sets
     *                        {@code kubernetes.io/metadata.name} on every namespace)
     * @param podLabels       the pod's labels, or its template's
     */
    public Reach reach(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        if (!known()) {
            return Reach.SENT;
        }
        Map<String, String> namespace = namespaceLabels == null ? Map.of() : namespaceLabels;
        Map<String, String> pod = podLabels == null ? Map.of() : podLabels;
        // A configuration of several webhooks sends the pod to each that matches; it is in scope if one does.
        Reach reach = Reach.NOT_SENT;
        for (MutatingWebhook webhook : webhooks) {
            if (matches(webhook.getNamespaceSelector(), namespace) && matches(webhook.getObjectSelector(), pod)) {
                if (!hasMatchConditions(webhook)) {
                    return Reach.SENT;
                }
                reach = Reach.SENT_UNLESS_CONDITIONS_REFUSE;
            }
        }
        return reach;
    }

    private static boolean hasMatchConditions(MutatingWebhook webhook) {
        return webhook.getMatchConditions() != null && !webhook.getMatchConditions().isEmpty();
    }

    private static Optional<String> unknownOperator(LabelSelector selector) {
        if (selector == null || selector.getMatchExpressions() == null) {
            return Optional.empty();
        }
        return selector.getMatchExpressions().stream().map(LabelSelectorRequirement::getOperator)
                .filter(operator -> !OPERATORS.contains(operator)).findFirst();
    }

    /** The API server's rule for a webhook's selectors: an absent or empty selector matches every object. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> required : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(required.getValue(), labels.get(required.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement, labels)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> throw new IllegalStateException("operator " + requirement.getOperator() + " passed of()");
        };
    }

    @Override
    public String toString() {
        return description;
    }
}
