//! Chain following: best blocks, the jobs assigned to this miner (from `JobAssigned` events,
//! dispatch hints and a scan of recent jobs after a (re)start), and which of them to read at
//! each block.

use super::*;

/// A job a node POSTed to `/v1/jobs`: followed from now on if the chain says it is open and
/// this miner's (the block loop answers it with the next block, in a batch with the others;
/// it usually knows the job already from its `JobAssigned` event). Unknown ids are dropped.
pub(super) async fn adopt_dispatched(shared: &Arc<Shared>, job: JobId) -> Result<()> {
	if shared.watched.lock().await.contains_key(&job) {
		return Ok(());
	}
	let Some(chain) = shared.chain.lock().await.clone() else {
		// Not connected: the start-up scan finds the job.
		return Ok(());
	};
	let _deciding = shared.deciding.lock().await;
	let Some(view) = job_at(&chain.at_best().await?, job).await? else { return Ok(()) };
	let open = matches!(view.phase, JobPhase::Commit | JobPhase::Reveal);
	if open && view.assignment(&shared.account).is_some() {
		log::debug!("job {job}: dispatched by a node");
		watch(shared, job).await;
	}
	Ok(())
}

pub(super) async fn watch(shared: &Shared, job: JobId) {
	let mut watched = shared.watched.lock().await;
	if let std::collections::btree_map::Entry::Vacant(entry) = watched.entry(job) {
		Metrics::add(&shared.metrics.jobs_seen, 1);
		entry.insert(Watched { since: Instant::now(), submitted: None });
	}
}

/// Follows best blocks, reconnecting whenever the node goes away.
pub(super) async fn follow_chain(shared: Arc<Shared>) {
	let mut first = true;
	loop {
		match Chain::connect_retrying(
			&shared.options.rpc,
			&shared.signer,
			u32::MAX,
			Duration::from_secs(2),
		)
		.await
		{
			Ok(chain) => {
				if !first {
					Metrics::add(&shared.metrics.reconnects, 1);
				}
				first = false;
				let chain = Arc::new(chain);
				// Fixed for the chain's life: a node of another chain is refused by `connect`'s
				// caller below.
				let genesis = chain.api.genesis_hash().0;
				if *shared.paid.genesis.get_or_init(|| genesis) != genesis {
					log::error!(
						"the node at {} is on another chain; not following it",
						shared.options.rpc
					);
					tokio::time::sleep(Duration::from_secs(10)).await;
					continue;
				}
				*shared.chain.lock().await = Some(chain.clone());
				shared.metrics.connected.store(true, Ordering::Relaxed);
				if let Err(error) = follow_blocks(&shared, &chain).await {
					log::warn!("lost the chain: {error:#}; reconnecting");
				}
				shared.metrics.connected.store(false, Ordering::Relaxed);
				*shared.chain.lock().await = None;
			}
			Err(error) => log::warn!("cannot connect: {error:#}"),
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

pub(super) async fn follow_blocks(shared: &Arc<Shared>, chain: &Arc<Chain>) -> Result<()> {
	// Jobs saved before a restart, and recent jobs this miner may have missed meanwhile.
	let saved: Vec<JobId> = shared.store.lock().await.jobs().map(|(job, _)| *job).collect();
	for job in saved {
		watch(shared, job).await;
	}
	// The subscription may start with older blocks; this scan covers them.
	let start;
	{
		let _deciding = shared.deciding.lock().await;
		let at = chain.at_best().await?;
		start = at.block_number();
		let next = next_job_id_at(&at).await?;
		for job in next.saturating_sub(RESCAN_JOBS)..next {
			let Some(view) = job_at(&at, job).await? else { continue };
			let open = matches!(view.phase, JobPhase::Commit | JobPhase::Reveal);
			if open && view.assignment(&shared.account).is_some() {
				watch(shared, job).await;
			}
		}
	}

	let mut blocks = chain.api.stream_best_blocks().await?;
	while let Some(block) = blocks.next().await {
		let block = block?;
		if block.number() < start {
			continue;
		}
		shared.metrics.best_block.fetch_max(block.number(), Ordering::Relaxed);
		let _deciding = shared.deciding.lock().await;
		let at = block.at().await?;
		let events = at.events().fetch().await?;
		// Jobs whose phase changed in this block.
		let mut moved = BTreeSet::new();
		for event in events.iter() {
			let event = event?;
			if event.pallet_name() == "QueryChannels" && event.event_name() == "AuditDrawn" {
				let drawn: AuditDrawn = event.decode_fields_unchecked_as()?;
				if drawn.miner == shared.account {
					log::info!(
						"audit {}: receipt {} of channel {} drawn (block {})",
						drawn.audit,
						drawn.index,
						drawn.channel,
						block.number()
					);
					let (shared, chain) = (shared.clone(), chain.clone());
					tokio::spawn(
						async move { queries::answer_audit(&shared, &chain, drawn).await },
					);
				}
			}
			if event.pallet_name() == "Inference" && event.event_name() == "JobAssigned" {
				let assigned: JobAssigned = event.decode_fields_unchecked_as()?;
				if assigned.miners.contains(&shared.account) {
					log::info!("job {} assigned (block {})", assigned.job, block.number());
					watch(shared, assigned.job).await;
					moved.insert(assigned.job);
				}
			}
			if event.pallet_name() == "Inference" && event.event_name() == "RevealPhaseStarted" {
				let started: RevealPhaseStarted = event.decode_fields_unchecked_as()?;
				moved.insert(started.job);
			}
		}
		// The watched jobs that may need an answer now, read at this block; the answers go
		// out together.
		let jobs = due_jobs(shared, &moved, block.number()).await;
		let mut decided = Vec::new();
		for job in jobs {
			match process_job(shared, &at, block.number(), job).await {
				Ok(answer) => decided.extend(answer),
				Err(error) => log::warn!("job {job}: {error:#}"),
			}
		}
		// Every output and salt decided at this block on disk, once, before any commitment
		// to them goes out.
		if let Err(error) = shared.store.lock().await.persist() {
			log::error!("saving the jobs' outputs and salts: {error:#}; submitting nothing");
			continue;
		}
		if !decided.is_empty() {
			let per_call = constant_u32(&at, "Inference", "MaxAnswersPerCall").unwrap_or(1);
			answers::submit(shared, chain, decided, per_call as usize);
		}
	}
	anyhow::bail!("the block subscription ended")
}

/// The watched jobs to read at block `best`: those whose phase changed in it (`moved`), those
/// with nothing submitted (new, or waiting for a remote input), and those whose submission has
/// not shown on chain within `RESUBMIT_AFTER` blocks. A job whose answer was just sent is not
/// read again until one of these holds: at a high job rate that is most of them, and reading
/// each at every block made the miner fall behind the chain.
pub(super) async fn due_jobs(shared: &Shared, moved: &BTreeSet<JobId>, best: u64) -> Vec<JobId> {
	shared
		.watched
		.lock()
		.await
		.iter()
		.filter(|(job, watched)| match watched.submitted {
			_ if moved.contains(job) => true,
			None => true,
			Some(Submitted::Commit(at) | Submitted::Reveal(at)) => best >= at + RESUBMIT_AFTER,
		})
		.map(|(job, _)| *job)
		.collect()
}
