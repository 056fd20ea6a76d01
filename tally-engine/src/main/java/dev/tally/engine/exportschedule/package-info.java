/**
 * What each tenant's daily export is configured to do ({@link dev.tally.engine.exportschedule.ExportScheduleStore}):
 * the schedule as JSON without secrets, the object store's secret sealed with the secrets key (never returned by
 * the API), and the last day exported, so a daily trigger exports each day once and catches up after downtime.
 */
package dev.tally.engine.exportschedule;
