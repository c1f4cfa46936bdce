package token

import (
	"errors"
	"fmt"

	"github.com/govm-net/vm"
)

// Initialize 初始化代币合约，创建初始供应量
func Initialize(ctx vm.Context, totalSupply uint64) (vm.ObjectID, error) {
	// 创建代币发行者的余额对象
	balanceObj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to create balance object: %w", err)
	}

	// 设置发行者的初始余额
	if err := balanceObj.Set("amount", totalSupply); err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to set initial balance: %w", err)
	}

	// 设置对象所有者为合约部署者
	if err := balanceObj.SetOwner(ctx.Sender()); err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to set owner: %w", err)
	}

	// 记录初始化事件
	ctx.Log("Initialize", "total_supply", totalSupply, "owner", ctx.Sender())

	return balanceObj.ID(), nil
}

// Transfer 在账户之间转移代币
func Transfer(ctx vm.Context, to vm.Address, amount uint64) error {
	// 获取发送方余额对象
	fromBalance, err := ctx.GetObjectWithOwner(ctx.Sender())
	if err != nil {
		return fmt.Errorf("failed to get sender balance: %w", err)
	}

	// 读取当前余额
	var fromAmount uint64
	err = fromBalance.Get("amount", &fromAmount)
	if err != nil {
		return fmt.Errorf("failed to get sender amount: %w", err)
	}

	// 检查余额是否充足
	if fromAmount < amount {
		return fmt.Errorf("insufficient balance: %d < %d", fromAmount, amount)
	}

	// 获取接收方余额对象：已有则累加，没有才创建
	toBalance, err := ctx.GetObjectWithOwner(to)
	if errors.Is(err, vm.ErrNotFound) {
		toBalance, err = ctx.CreateObject()
		if err == nil {
			err = toBalance.Set("amount", uint64(0))
		}
		if err == nil {
			err = toBalance.SetOwner(to)
		}
	}
	if err != nil {
		return fmt.Errorf("failed to get receiver balance: %w", err)
	}

	// 更新双方余额（先扣后读，自己转给自己时余额不变）
	if err := fromBalance.Set("amount", fromAmount-amount); err != nil {
		return fmt.Errorf("failed to update sender balance: %w", err)
	}

	var toAmount uint64
	if err := toBalance.Get("amount", &toAmount); err != nil {
		return fmt.Errorf("failed to get receiver amount: %w", err)
	}
	if toAmount+amount < toAmount {
		return fmt.Errorf("receiver balance overflows: %d + %d", toAmount, amount)
	}
	if err := toBalance.Set("amount", toAmount+amount); err != nil {
		return fmt.Errorf("failed to update receiver balance: %w", err)
	}

	// 记录转账事件
	ctx.Log("Transfer",
		"from", fromBalance.Owner(),
		"to", toBalance.Owner(),
		"amount", amount)

	return nil
}

// GetBalance 查询账户余额
func GetBalance(ctx vm.Context, balanceID vm.ObjectID) (uint64, error) {
	// 获取余额对象
	balanceObj, err := ctx.GetObject(balanceID)
	if err != nil {
		return 0, fmt.Errorf("failed to get balance object: %w", err)
	}

	// 读取余额
	var amount uint64
	err = balanceObj.Get("amount", &amount)
	if err != nil {
		return 0, fmt.Errorf("failed to get amount: %w", err)
	}

	return amount, nil
}

// CreateAccount 为新用户创建账户
func CreateAccount(ctx vm.Context, owner vm.Address) (vm.ObjectID, error) {
	// 创建新的余额对象
	balanceObj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to create balance object: %w", err)
	}

	// 设置初始余额为0
	if err := balanceObj.Set("amount", uint64(0)); err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to set initial balance: %w", err)
	}

	// 设置对象所有者
	if err := balanceObj.SetOwner(owner); err != nil {
		return vm.ObjectID{}, fmt.Errorf("failed to set owner: %w", err)
	}

	// 记录账户创建事件
	ctx.Log("CreateAccount", "owner", owner)

	return balanceObj.ID(), nil
}
