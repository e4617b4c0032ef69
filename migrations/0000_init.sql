CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `api_keys_tenant_idx` ON `api_keys` (`tenant_id`,`kind`);--> statement-breakpoint
CREATE TABLE `billing_idempotency_keys` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`subscription_id` text NOT NULL,
	`status` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `codes` (
	`tenant_id` text NOT NULL,
	`code` text NOT NULL,
	`offer_id` text NOT NULL,
	`kind` text NOT NULL,
	`redeemed_by` text,
	`redeemed_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `code`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `codes_offer_idx` ON `codes` (`offer_id`,`code`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `console_sessions_key_idx` ON `console_sessions` (`key_id`);--> statement-breakpoint
CREATE INDEX `console_sessions_tenant_idx` ON `console_sessions` (`tenant_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `eligible_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`offer_id` text NOT NULL,
	`user_id` text,
	`email` text,
	`job_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `eligible_users_offer_user_uq` ON `eligible_users` (`user_id`,`tenant_id`,`offer_id`) WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `eligible_users_offer_email_uq` ON `eligible_users` (`email`,`tenant_id`,`offer_id`) WHERE email IS NOT NULL;--> statement-breakpoint
CREATE INDEX `eligible_users_offer_idx` ON `eligible_users` (`offer_id`);--> statement-breakpoint
CREATE TABLE `group_claims` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`via` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `group_domains` (
	`tenant_id` text NOT NULL,
	`domain` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `domain`),
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_domains_group_idx` ON `group_domains` (`group_id`);--> statement-breakpoint
CREATE TABLE `group_ip_ranges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`group_id` text NOT NULL,
	`start` blob NOT NULL,
	`end` blob NOT NULL,
	`label` text NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_ip_ranges_lookup_idx` ON `group_ip_ranges` (`tenant_id`,`start`,`end`);--> statement-breakpoint
CREATE INDEX `group_ip_ranges_group_idx` ON `group_ip_ranges` (`group_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`plan_id` text NOT NULL,
	`seat_limit` integer,
	`seats_used` integer DEFAULT 0 NOT NULL,
	`owner_subscription_id` text,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `groups_tenant_idx` ON `groups` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`subscription_id` text,
	`status` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `job_errors` (
	`job_id` text NOT NULL,
	`line` integer NOT NULL,
	`reason` text NOT NULL,
	`raw` text,
	PRIMARY KEY(`job_id`, `line`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`offer_id` text,
	`plan_id` text,
	`input_key` text,
	`total` integer DEFAULT 0 NOT NULL,
	`processed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`byte_offset` integer DEFAULT 0 NOT NULL,
	`line` integer DEFAULT 1 NOT NULL,
	`input_bytes` integer,
	`params` text DEFAULT '{}' NOT NULL,
	`error` text,
	`started_at` integer,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `jobs_tenant_idx` ON `jobs` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_offer_idx` ON `jobs` (`offer_id`,`status`);--> statement-breakpoint
CREATE INDEX `jobs_stalled_idx` ON `jobs` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `offer_products` (
	`offer_id` text NOT NULL,
	`product_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	PRIMARY KEY(`offer_id`, `product_id`),
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offer_products_product_idx` ON `offer_products` (`tenant_id`,`product_id`);--> statement-breakpoint
CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`code` text,
	`code_set_count` integer,
	`code_set_prefix` text,
	`discount_type` text NOT NULL,
	`discount_basis_points` integer,
	`discount_amount` integer,
	`discount_currency` text,
	`all_products` integer DEFAULT false NOT NULL,
	`durations` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`eligibility` text NOT NULL,
	`discoverability` text NOT NULL,
	`max_redemptions` integer,
	`avail_limit_per_product` integer,
	`avail_limit_total` integer,
	`subscription_limit` integer,
	`state` text NOT NULL,
	`ended_at` integer,
	`deleted_at` integer,
	`redemptions_count` integer DEFAULT 0 NOT NULL,
	`users_availed_count` integer DEFAULT 0 NOT NULL,
	`discounted_renewals_count` integer DEFAULT 0 NOT NULL,
	`eligible_users_count` integer DEFAULT 0 NOT NULL,
	`warnings` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offers_tenant_live_idx` ON `offers` (`tenant_id`,`deleted_at`,`ends_at`);--> statement-breakpoint
CREATE INDEX `offers_tenant_created_idx` ON `offers` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `offers_tenant_updated_idx` ON `offers` (`tenant_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`duration` text NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`pricing` text DEFAULT 'fixed' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plans_tenant_product_idx` ON `plans` (`tenant_id`,`product_id`,`active`);--> statement-breakpoint
CREATE INDEX `plans_tenant_created_idx` ON `plans` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `products_tenant_idx` ON `products` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`offer_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`code` text,
	`kind` text NOT NULL,
	`cycle` integer NOT NULL,
	`discount` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `redemptions_offer_user_idx` ON `redemptions` (`offer_id`,`user_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `redemptions_offer_plan_idx` ON `redemptions` (`offer_id`,`plan_id`);--> statement-breakpoint
CREATE INDEX `redemptions_tenant_created_idx` ON `redemptions` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `redemptions_subscription_idx` ON `redemptions` (`subscription_id`);--> statement-breakpoint
CREATE TABLE `subscription_cycles` (
	`subscription_id` text NOT NULL,
	`cycle` integer NOT NULL,
	`tenant_id` text NOT NULL,
	`price` integer NOT NULL,
	`discount` integer NOT NULL,
	`amount_due` integer NOT NULL,
	`grace` integer DEFAULT false NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `cycle`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`collection` text DEFAULT 'charge_card' NOT NULL,
	`group_id` text,
	`offer_id` text,
	`code` text,
	`reactivation` integer DEFAULT false NOT NULL,
	`cycle` integer DEFAULT 1 NOT NULL,
	`discounted_cycles` integer DEFAULT 0 NOT NULL,
	`price` integer NOT NULL,
	`discount` integer DEFAULT 0 NOT NULL,
	`amount_due` integer NOT NULL,
	`currency` text NOT NULL,
	`current_period_start` integer NOT NULL,
	`current_period_end` integer NOT NULL,
	`hold_expires_at` integer,
	`payment_reference` text,
	`hold_expiry_notified` integer DEFAULT false NOT NULL,
	`write_id` text,
	`cancelled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscriptions_tenant_user_idx` ON `subscriptions` (`tenant_id`,`user_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_pending_offer_idx` ON `subscriptions` (`offer_id`,`hold_expires_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `subscriptions_pending_expiry_idx` ON `subscriptions` (`hold_expires_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `subscriptions_unnotified_idx` ON `subscriptions` (`tenant_id`) WHERE status = 'hold_expired' AND hold_expiry_notified = 0;--> statement-breakpoint
CREATE INDEX `subscriptions_tenant_plan_idx` ON `subscriptions` (`tenant_id`,`plan_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `subscriptions_tenant_product_idx` ON `subscriptions` (`tenant_id`,`product_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `subscriptions_tenant_created_idx` ON `subscriptions` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `subscriptions_offer_idx` ON `subscriptions` (`offer_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_group_idx` ON `subscriptions` (`group_id`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`user_token_secret_version` integer DEFAULT 1 NOT NULL,
	`user_token_previous_until` integer,
	`catalog_version` integer DEFAULT 1 NOT NULL,
	`checkout_hold_minutes` integer DEFAULT 30 NOT NULL,
	`disabled_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `user_token_secrets` (
	`tenant_id` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `version`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`email` text,
	`email_verified` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `users_tenant_email_idx` ON `users` (`tenant_id`,`email`);--> statement-breakpoint
CREATE TABLE `voided_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`offer_id` text,
	`code` text,
	`voided_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`next_attempt_at` integer,
	`lease_token` text,
	`lease_until` integer,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event_endpoint_idx` ON `webhook_deliveries` (`event_id`,`endpoint_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`tenant_id`,`endpoint_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_created_idx` ON `webhook_deliveries` (`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`description` text,
	`secret_salt` text NOT NULL,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_tenant_idx` ON `webhook_endpoints` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_events_tenant_idx` ON `webhook_events` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_created_idx` ON `webhook_events` (`created_at`);