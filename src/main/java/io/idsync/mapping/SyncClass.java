package io.idsync.mapping;

/**
 * PingDataSync's sync class options: which operations the pipe performs and how it treats entries that are
 * missing or already present at the destination.
 *
 * @param synchronizeCreates  PingOne's "Allow Users to be Created": a new source entry is created at the destination
 * @param synchronizeModifies  "Allow Users to be Updated": a changed source entry is updated at the destination
 * @param synchronizeDeletes   "Allow Users to be Deprovisioned": a deleted source entry, or one that left the scope,
 *                             gets the remove action (delete, or disable) at the destination
 * @param synchronizeDisables  "Allow Users to be Disabled": a source entry disabled is disabled at the destination
 * @param modifiesAsCreates  a modify whose linked destination entry has gone is applied as a create (default false)
 * @param createsAsModifies  a create whose entry already exists at the destination becomes a modify (default true)
 * @param scopeExitAction    what a source entry leaving the pipe's scope does at the destination
 * @param deleteAction       what a source entry deleted at the source does at the destination (PingFederate's remove action)
 * @param disableAttribute   the destination attribute that disables an account, and its value when disabled
 * @param provisionDisabled  whether an account disabled at the source is created at the destination (PingFederate's
 *                           "provision disabled users")
 */
public record SyncClass(boolean synchronizeCreates, boolean synchronizeModifies, boolean synchronizeDeletes,
                        boolean synchronizeDisables, boolean modifiesAsCreates, boolean createsAsModifies, ScopeExitAction scopeExitAction,
                        ScopeExitAction deleteAction, String disableAttribute, String disableValue, boolean provisionDisabled) {

    public enum ScopeExitAction {
        DELETE, DISABLE
    }

    public static SyncClass defaults() {
        return new SyncClass(true, true, true, true, false, true, ScopeExitAction.DELETE, ScopeExitAction.DELETE, "ds-pwp-account-disabled", "TRUE", true);
    }
}
