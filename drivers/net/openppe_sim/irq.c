// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: the engine's interrupt line, and the instance as its controller */

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/property.h>

#include "ppesim.h"

/**
 * ppesim_irq_update() - recompute the line after IRQ_STATUS or IRQ_MASK
 *	changed
 * @eng: the engine; caller holds @eng->lock
 *
 * The line is level, active high: asserted while IRQ_STATUS & IRQ_MASK is
 * not 0 (docs/hardware.md 2.7). Asserting it delivers the interrupt through
 * the instance's domain, if one is wired.
 */
void ppesim_irq_update(struct ppesim_engine *eng)
{
	bool line = eng->irq_status & eng->irq_mask;
	bool rise = line && !eng->irq_line;

	lockdep_assert_held(&eng->lock);

	WRITE_ONCE(eng->irq_line, line);
	if (rise && eng->irq_domain)
		irq_work_queue(&eng->irq_work);
}

/**
 * ppesim_irq_raise() - an interrupt cause occurred
 * @eng: the engine; caller holds @eng->lock
 * @bits: IRQ_STATUS bits to set
 */
void ppesim_irq_raise(struct ppesim_engine *eng, u32 bits)
{
	lockdep_assert_held(&eng->lock);

	eng->irq_status |= bits;
	ppesim_irq_update(eng);
}

/* Hard interrupt context: the line as the interrupt controller sees it. */
static void ppesim_irq_work(struct irq_work *work)
{
	struct ppesim_engine *eng = container_of(work, struct ppesim_engine,
						 irq_work);
	struct irq_domain *domain = READ_ONCE(eng->irq_domain);

	if (domain && READ_ONCE(eng->irq_line))
		generic_handle_domain_irq(domain, 0);
}

/**
 * ppesim_irq_setup() - an engine's line starts unwired and low
 * @eng: the engine, being initialised
 */
void ppesim_irq_setup(struct ppesim_engine *eng)
{
	eng->irq_work = IRQ_WORK_INIT_HARD(ppesim_irq_work);
}

/* handle_level_irq() masks the line while its handler (thread) runs */
static void ppesim_irq_mask(struct irq_data *d)
{
}

/* a line still asserted when it is unmasked interrupts again */
static void ppesim_irq_unmask(struct irq_data *d)
{
	struct ppesim_engine *eng = irq_data_get_irq_chip_data(d);

	if (READ_ONCE(eng->irq_line))
		irq_work_queue(&eng->irq_work);
}

static struct irq_chip ppesim_irq_chip = {
	.name = PPESIM_DRV_NAME,
	.irq_mask = ppesim_irq_mask,
	.irq_unmask = ppesim_irq_unmask,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static int ppesim_irq_map(struct irq_domain *d, unsigned int virq,
			  irq_hw_number_t hwirq)
{
	irq_set_chip_data(virq, d->host_data);
	irq_set_chip_and_handler(virq, &ppesim_irq_chip, handle_level_irq);
	return 0;
}

static const struct irq_domain_ops ppesim_irq_ops = {
	.map = ppesim_irq_map,
	.xlate = irq_domain_xlate_onecell,
};

/* after the PPE child is gone: no new delivery, then the domain goes */
static void ppesim_irq_teardown(void *data)
{
	struct ppesim_engine *eng = data;
	struct irq_domain *domain = eng->irq_domain;
	unsigned int virq;

	spin_lock_bh(&eng->lock);
	WRITE_ONCE(eng->irq_domain, NULL);
	spin_unlock_bh(&eng->lock);
	irq_work_sync(&eng->irq_work);
	virq = irq_find_mapping(domain, 0);
	if (virq)
		irq_dispose_mapping(virq);
	irq_domain_remove(domain);
}

/**
 * ppesim_irq_init() - make a DT instance the interrupt controller of its
 *	engine's line
 * @sim: the instance; its firmware node says "interrupt-controller"
 *
 * One line, hwirq 0 (binding openppe,sim.yaml). Call before the PPE child
 * is created: its "interrupts" resolve through this domain. Device-managed:
 * the domain is removed after the devres actions added later have run.
 *
 * Return: 0 (also without "interrupt-controller": no line) or a negative
 * errno.
 */
int ppesim_irq_init(struct ppesim *sim)
{
	struct ppesim_engine *eng = &sim->eng;
	struct irq_domain *domain;

	if (!device_property_read_bool(sim->dev, "interrupt-controller"))
		return 0;
	domain = irq_domain_create_linear(dev_fwnode(sim->dev), 1,
					  &ppesim_irq_ops, eng);
	if (!domain)
		return -ENOMEM;
	spin_lock_bh(&eng->lock);
	eng->irq_domain = domain;
	spin_unlock_bh(&eng->lock);
	return devm_add_action_or_reset(sim->dev, ppesim_irq_teardown, eng);
}
